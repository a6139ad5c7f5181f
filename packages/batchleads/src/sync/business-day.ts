// Due dates for call tasks: the next business day (Saturday and Sunday skipped), at a set local hour.

/** The next Monday-to-Friday after `now`, at `hour`:00 local time. */
export function nextBusinessDay(now: Date, hour = 9): Date {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, hour, 0, 0, 0);
  while (d.getDay() === 0 || d.getDay() === 6) d.setDate(d.getDate() + 1);
  return d;
}
