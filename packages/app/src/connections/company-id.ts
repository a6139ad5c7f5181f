// What a connection's company (agency) id may look like, checked where a person types one before it is
// stored (`hlconnect connections add --company-id`): HighLevel ids are letters, digits, - and _, and the
// id is sent as a query parameter (users search), so anything else would only fail later, far from here.

const COMPANY_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The trimmed id, or what is wrong with it (said with the text as typed). */
export function checkCompanyIdText(value: string): { companyId: string } | { problem: string } {
  const companyId = value.trim();
  if (COMPANY_ID.test(companyId)) return { companyId };
  return {
    problem: `"${value}" is not a company id: HighLevel's ids are letters, digits, - and _ (at most 100)`,
  };
}
