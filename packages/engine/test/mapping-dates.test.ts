import { describe, expect, it } from "vitest";
import { type MappingScope, renderValue } from "../src/mapping/index.ts";

// Monday 30 November 2026, noon UTC.
const NOW = new Date("2026-11-30T12:00:00Z");
const scope: MappingScope = { trigger: {}, steps: {}, now: () => NOW };
const chicago: MappingScope = { ...scope, timeZone: "America/Chicago" };

const ev = (expr: string, s: MappingScope = scope) => renderValue(`{{ ${expr} }}`, s);
const iso = (input: string, s: MappingScope = scope) => ev(`${input} | iso`, s);

describe("reading dates", () => {
  it.each([
    ['"2026-11-30T15:00:00Z"', "2026-11-30T15:00:00Z"],
    ['"2026-11-30T10:00:00-05:00"', "2026-11-30T15:00:00Z"],
    ['"2026-11-30T15:00:00.250Z"', "2026-11-30T15:00:00.250Z"],
    ['"2026-11-30"', "2026-11-30T00:00:00Z"],
    ["1796050800", "2026-11-30T15:00:00Z"],
    ["1796050800000", "2026-11-30T15:00:00Z"],
    ['"1796050800"', "2026-11-30T15:00:00Z"],
    ['"1796050800000"', "2026-11-30T15:00:00Z"],
    ['"11/30/2026"', "2026-11-30T00:00:00Z"],
    ['"3/4/2026"', "2026-03-04T00:00:00Z"],
    ['"30/11/2026"', "2026-11-30T00:00:00Z"],
    ['"11/30/2026 3:05 PM"', "2026-11-30T15:05:00Z"],
    ['"11/30/2026 15:05"', "2026-11-30T15:05:00Z"],
    ['"30.11.2026"', "2026-11-30T00:00:00Z"],
    ['"30.11.2026 15:05"', "2026-11-30T15:05:00Z"],
    ['"2026-11-30 15:05"', "2026-11-30T15:05:00Z"],
    ['"2026-11-30 15:05:09"', "2026-11-30T15:05:09Z"],
    ['"2026/11/30"', "2026-11-30T00:00:00Z"],
    ['"Nov 30, 2026"', "2026-11-30T00:00:00Z"],
    ['"NOV 30, 2026"', "2026-11-30T00:00:00Z"],
    ['"November 30, 2026 3:00 pm"', "2026-11-30T15:00:00Z"],
    ['"30 Nov 2026"', "2026-11-30T00:00:00Z"],
    ['"Monday, November 30, 2026"', "2026-11-30T00:00:00Z"],
    ['"Mon, 30 Nov 2026 15:00:00 GMT"', "2026-11-30T15:00:00Z"],
    ['"Mon, 30 Nov 2026 10:00:00 -0500"', "2026-11-30T15:00:00Z"],
    ['"now"', "2026-11-30T12:00:00Z"],
    ['"today"', "2026-11-30T00:00:00Z"],
    ['"Tomorrow"', "2026-12-01T00:00:00Z"],
    ['"yesterday"', "2026-11-29T00:00:00Z"],
    ["now", "2026-11-30T12:00:00Z"],
  ])("%s", (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it("reads text without an offset in the flow's time zone", () => {
    expect(iso('"2026-11-30 09:00"', chicago)).toBe("2026-11-30T09:00:00-06:00");
    expect(ev('"2026-11-30 09:00" | epochSeconds', chicago)).toBe(1796050800);
    expect(iso('"today"', chicago)).toBe("2026-11-30T00:00:00-06:00");
    expect(iso('"2026-11-30T15:00:00Z"', chicago)).toBe("2026-11-30T09:00:00-06:00");
  });

  it("gives null for what is not a date, and passes missing through", () => {
    for (const bad of ['"not a date"', '""', '"13/45/2026"', "true", "[1]", '"2026-02-30"']) {
      expect(iso(bad), bad).toBeNull();
    }
    expect(ev("trigger.missing | date")).toBeUndefined();
    expect(ev('trigger.missing | date("yyyy") | default("none")')).toBe("none");
  });
});

describe("formatting", () => {
  it("date(format) writes luxon formats", () => {
    expect(ev('"2026-11-30T15:04:05Z" | date("MM/dd/yyyy")')).toBe("11/30/2026");
    expect(ev('"2026-11-30T15:04:05Z" | date("yyyy-MM-dd HH:mm:ss")')).toBe("2026-11-30 15:04:05");
    expect(ev('"2026-11-30T15:04:05Z" | date("cccc, LLLL d \'at\' h:mm a")')).toBe(
      "Monday, November 30 at 3:04 PM",
    );
    expect(ev('"2026-11-30" | date("d. LLLL yyyy", "de-DE")')).toBe("30. November 2026");
    expect(ev('"2026-11-30" | date("LLLL", "fr")')).toBe("novembre");
  });

  it("date() without a format keeps a date, which leaves as ISO text", () => {
    expect(ev('"11/30/2026" | date')).toBe("2026-11-30T00:00:00Z");
  });

  it("formats in the flow's zone, or the zone tz() chose", () => {
    expect(ev('"2026-11-30T15:00:00Z" | date("HH:mm")', chicago)).toBe("09:00");
    expect(ev('"2026-11-30T15:00:00Z" | tz("America/New_York") | date("h:mm a ZZZZ")')).toBe("10:00 AM EST");
    expect(ev('"2026-11-30T15:00:00Z" | tz("Asia/Kolkata")')).toBe("2026-11-30T20:30:00+05:30");
    expect(ev("now | tz(vars.zone)", { ...scope, vars: { zone: "Nowhere/Land" } })).toBeNull();
  });

  it("epoch, epochSeconds and iso", () => {
    expect(ev('"2026-11-30T15:00:00.999Z" | epoch')).toBe(1796050800999);
    expect(ev('"2026-11-30T15:00:00.999Z" | epochSeconds')).toBe(1796050800);
    expect(ev("1796050800 | iso")).toBe("2026-11-30T15:00:00Z");
    expect(ev('"x" | epoch')).toBeNull();
  });

  it("parseDate reads an exact format", () => {
    expect(ev('"30/11/26" | parseDate("dd/MM/yy") | iso')).toBe("2026-11-30T00:00:00Z");
    expect(ev('"2026-11-30" | parseDate("dd/MM/yy")')).toBeNull();
  });
});

describe("add and subtract", () => {
  it.each([
    ['"2026-11-30T10:00:00Z" | add("30 minutes")', "2026-11-30T10:30:00Z"],
    ['"2026-11-30T10:00:00Z" | add("1.5 hours")', "2026-11-30T11:30:00Z"],
    ['"2026-11-30T10:00:00Z" | add("2h 15m")', "2026-11-30T12:15:00Z"],
    ['"2026-11-30T10:00:00Z" | add("3 days")', "2026-12-03T10:00:00Z"],
    ['"2026-11-30T10:00:00Z" | add("1 week, 1 day")', "2026-12-08T10:00:00Z"],
    ['"2026-01-31" | add("1 month")', "2026-02-28T00:00:00Z"],
    ['"2026-11-30" | add("1 year and 2 months")', "2028-01-30T00:00:00Z"],
    ['"2026-11-30T10:00:00Z" | subtract("45 sec")', "2026-11-30T09:59:15Z"],
    ['"2026-11-30T10:00:00Z" | add("-1 day")', "2026-11-29T10:00:00Z"],
  ])("%s", (expr, expected) => {
    expect(ev(expr)).toBe(expected);
  });

  it.each([
    // Friday -> Monday, keeping the time of day.
    ['"2026-11-27T09:00:00Z"', "1 business day", "2026-11-30T09:00:00Z"],
    // Saturday and Sunday -> Monday.
    ['"2026-11-28T09:00:00Z"', "1 business day", "2026-11-30T09:00:00Z"],
    ['"2026-11-29T09:00:00Z"', "1 business day", "2026-11-30T09:00:00Z"],
    ['"2026-11-30T09:00:00Z"', "5 business days", "2026-12-07T09:00:00Z"],
    ['"2026-11-25T09:00:00Z"', "3 workdays", "2026-11-30T09:00:00Z"],
    ['"2026-11-30T09:00:00Z"', "0 business days", "2026-11-30T09:00:00Z"],
  ])("%s + %s", (date, duration, expected) => {
    expect(ev(`${date} | add("${duration}")`)).toBe(expected);
  });

  it("subtracting business days skips weekends backwards", () => {
    expect(ev('"2026-11-30T09:00:00Z" | subtract("1 business day")')).toBe("2026-11-27T09:00:00Z");
    expect(ev('"2026-11-29T09:00:00Z" | subtract("1 business day")')).toBe("2026-11-27T09:00:00Z");
  });

  it("business days are counted in the flow's zone", () => {
    // 04:00 UTC Saturday is still Friday evening in Chicago: +1 business day is Monday there.
    expect(ev('"2026-11-28T04:00:00Z" | add("1 business day")', chicago)).toBe("2026-11-30T22:00:00-06:00");
    expect(ev('"2026-11-28T04:00:00Z" | add("1 business day")')).toBe("2026-11-30T04:00:00Z");
  });

  it("keeps the local time across a daylight-saving change", () => {
    expect(ev('"2026-03-07T09:00:00" | add("1 day")', chicago)).toBe("2026-03-08T09:00:00-05:00");
    expect(ev('"2026-03-07T09:00:00" | add("24 hours")', chicago)).toBe("2026-03-08T10:00:00-05:00");
  });

  it("a duration from a path that is not one gives null", () => {
    expect(ev('"2026-11-30" | add(vars.d)', { ...scope, vars: { d: "soon" } })).toBeNull();
    expect(ev('"2026-11-30" | add(vars.d)', { ...scope, vars: { d: "1.5 months" } })).toBeNull();
    expect(ev('"2026-11-30" | add(vars.d)', { ...scope, vars: { d: 3 } })).toBeNull();
    expect(ev('"2026-11-30" | add(vars.d)', { ...scope, vars: { d: "20000 business days" } })).toBeNull();
    expect(ev('"nope" | add("1 day")')).toBeNull();
  });

  it("then formats", () => {
    expect(ev('"tomorrow" | add("9 hours") | date("MM/dd/yyyy h:mm a")')).toBe("12/01/2026 9:00 AM");
  });
});

describe("startOf and endOf", () => {
  it.each([
    ["day", "2026-11-30T00:00:00Z"],
    ["hour", "2026-11-30T15:00:00Z"],
    ["minute", "2026-11-30T15:45:00Z"],
    ["week", "2026-11-30T00:00:00Z"],
    ["month", "2026-11-01T00:00:00Z"],
    ["quarter", "2026-10-01T00:00:00Z"],
    ["year", "2026-01-01T00:00:00Z"],
  ])("startOf(%s)", (unit, expected) => {
    expect(ev(`"2026-11-30T15:45:30Z" | startOf("${unit}")`)).toBe(expected);
  });

  it("endOf and zones", () => {
    expect(ev('"2026-11-30T15:45:00Z" | endOf("month")')).toBe("2026-11-30T23:59:59.999Z");
    expect(ev('"2026-11-30T03:00:00Z" | startOf("day")', chicago)).toBe("2026-11-29T00:00:00-06:00");
    expect(ev('"2026-11-30" | startOf(vars.u)', { ...scope, vars: { u: "eon" } })).toBeNull();
  });
});

describe("dates in mixed text", () => {
  it("read as ISO", () => {
    expect(renderValue('Due {{ "11/30/2026" | date }}', scope)).toBe("Due 2026-11-30T00:00:00Z");
  });
});
