// Connection URLs appear in errors and logs with their password replaced, never in clear.

export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    // Not a URL we can parse: hide anything between "://user:" and "@".
    return url.replace(/(:\/\/[^:/@]*:)[^@]*@/, "$1***@");
  }
}
