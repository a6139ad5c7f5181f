// Credentials and target from the environment, shared by every command that talks to HighLevel.
import { HIGHLEVEL_API_BASE_URL, HighLevelClient } from "@hlconnect/client";
import { CliError } from "./errors.ts";

export interface HighLevelEnv {
  token: string;
  locationId: string | undefined;
  companyId: string | undefined;
  baseUrl: string;
}

export function readHighLevelEnv(env: NodeJS.ProcessEnv = process.env): HighLevelEnv {
  const token = env.HIGHLEVEL_TOKEN?.trim();
  if (!token) {
    throw new CliError(
      "HIGHLEVEL_TOKEN is not set: export a Private Integration Token (or an access token) first, " +
        "e.g. from `hlconnect sandbox --json` for the local sandbox.",
    );
  }
  return {
    token,
    locationId: env.HIGHLEVEL_LOCATION_ID?.trim() || undefined,
    companyId: env.HIGHLEVEL_COMPANY_ID?.trim() || undefined,
    baseUrl: env.HIGHLEVEL_BASE_URL?.trim() || HIGHLEVEL_API_BASE_URL,
  };
}

export function clientFromEnv(env: NodeJS.ProcessEnv = process.env): HighLevelClient {
  const e = readHighLevelEnv(env);
  return new HighLevelClient({
    credentials: e.token,
    baseUrl: e.baseUrl,
    ...(e.locationId ? { locationId: e.locationId } : {}),
    ...(e.companyId ? { companyId: e.companyId } : {}),
  });
}
