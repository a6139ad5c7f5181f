import { describe, expect, it } from "vitest";
import { type AccessCheckedOperation, checkAccess, PrivateIntegrationToken } from "../src/auth/index.ts";
import { HighLevelError } from "../src/errors.ts";

function op(security: AccessCheckedOperation["security"], scopes: string[], key = "get-contact") {
  return { key, operationId: key, security, scopes };
}

function refusal(fn: () => void): HighLevelError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HighLevelError);
    return error as HighLevelError;
  }
  throw new Error("expected checkAccess to refuse");
}

describe("checkAccess: token type", () => {
  it("refuses a location token on an agency-only operation, saying an agency token is needed", () => {
    const error = refusal(() =>
      checkAccess(op("agency", ["locations.write"], "create-location"), {
        kind: "location",
        scopes: ["locations.write"],
      }),
    );
    expect(error.code).toBe("WRONG_TOKEN_TYPE");
    expect(error.operationId).toBe("create-location");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("create-location needs an agency (company) token");
    expect(error.message).toContain("has a location (sub-account) token");
  });

  it("refuses an agency token on a location-only operation, saying a location token is needed", () => {
    const error = refusal(() => checkAccess(op("location", ["contacts.readonly"]), { kind: "agency" }));
    expect(error.code).toBe("WRONG_TOKEN_TYPE");
    expect(error.message).toContain("get-contact needs a location (sub-account) token");
    expect(error.message).toContain("LocationTokenMinter");
  });

  it("accepts the right token type, either type on 'either', and anything on 'none'", () => {
    expect(() => checkAccess(op("location", []), { kind: "location" })).not.toThrow();
    expect(() => checkAccess(op("agency", []), { kind: "agency" })).not.toThrow();
    for (const kind of ["location", "agency"] as const) {
      expect(() =>
        checkAccess(op("either", ["contacts.readonly"]), { kind, scopes: ["contacts.readonly"] }),
      ).not.toThrow();
      expect(() => checkAccess(op("none", ["contacts.readonly"]), { kind, scopes: [] })).not.toThrow();
    }
  });

  it("checks the token type before the scopes", () => {
    const error = refusal(() =>
      checkAccess(op("agency", ["companies.readonly"]), { kind: "location", scopes: [] }),
    );
    expect(error.code).toBe("WRONG_TOKEN_TYPE");
  });
});

describe("checkAccess: scopes", () => {
  it("names the missing scope", () => {
    const error = refusal(() =>
      checkAccess(op("location", ["contacts.write"], "create-contact"), {
        kind: "location",
        scopes: ["contacts.readonly", "opportunities.readonly"],
      }),
    );
    expect(error.code).toBe("MISSING_SCOPE");
    expect(error.operationId).toBe("create-contact");
    expect(error.messages).toEqual(["contacts.write"]);
    expect(error.message).toContain("create-contact needs the scope contacts.write");
    expect(error.message).not.toContain("opportunities.readonly");
  });

  it("names every missing scope when several are missing", () => {
    const error = refusal(() =>
      checkAccess(op("either", ["a.readonly", "b.write", "c.readonly"], "multi"), {
        kind: "agency",
        scopes: ["b.write"],
      }),
    );
    expect(error.code).toBe("MISSING_SCOPE");
    expect(error.messages).toEqual(["a.readonly", "c.readonly"]);
    expect(error.message).toContain("needs the scopes a.readonly, c.readonly");
  });

  it("requires the exact scope: a write scope does not stand in for the readonly one", () => {
    const error = refusal(() =>
      checkAccess(op("location", ["contacts.readonly"]), { kind: "location", scopes: ["contacts.write"] }),
    );
    expect(error.code).toBe("MISSING_SCOPE");
    expect(error.messages).toEqual(["contacts.readonly"]);
  });

  it("passes when every scope is granted, and checks nothing when the scopes are unknown", () => {
    const info = { kind: "location" as const, scopes: ["conversations/message.write", "contacts.readonly"] };
    expect(() => checkAccess(op("location", ["conversations/message.write"]), info)).not.toThrow();
    expect(() => checkAccess(op("location", ["anything.write"]), { kind: "location" })).not.toThrow();
  });

  it("an empty grant list is known and refuses a scoped operation", () => {
    const error = refusal(() =>
      checkAccess(op("location", ["contacts.readonly"]), { kind: "location", scopes: [] }),
    );
    expect(error.code).toBe("MISSING_SCOPE");
  });

  it("works with the info of a Private Integration Token", () => {
    const pit = new PrivateIntegrationToken({
      token: "pit-0123456789abcdef-access",
      kind: "agency",
      scopes: ["locations.readonly"],
      companyId: "co-1",
    });
    expect(() =>
      checkAccess(op("agency", ["locations.readonly"], "search-locations"), pit.info()),
    ).not.toThrow();
    const error = refusal(() => checkAccess(op("agency", ["users.write"], "create-user"), pit.info()));
    expect(error.code).toBe("MISSING_SCOPE");
    expect(error.message).toContain("users.write");
    expect(error.message).not.toContain("pit-0123456789abcdef-access");
  });
});
