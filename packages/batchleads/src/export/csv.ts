// CSV as spreadsheets and BatchLeads' importer read it: RFC 4180 quoting (fields with commas, quotes
// or line breaks are quoted, quotes doubled), CRLF line ends, UTF-8.

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** A whole file: the header row, then one line per row (missing cells are blank). */
export function toCsv<H extends string>(
  headers: readonly H[],
  rows: ReadonlyArray<Partial<Record<H, string>>>,
): string {
  return csvLine(headers) + rows.map((r) => csvLine(headers.map((h) => r[h] ?? ""))).join("");
}
