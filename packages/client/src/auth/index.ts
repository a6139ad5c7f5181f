export type { AccessCheckedOperation } from "./access-check.ts";
export { checkAccess } from "./access-check.ts";
export type { LocationTokenMinterOptions } from "./agency-to-location.ts";
export { LocationTokenMinter } from "./agency-to-location.ts";
export type {
  Credentials,
  CredentialsInfo,
  OAuthCredentialsOptions,
  PrivateIntegrationTokenOptions,
} from "./credentials.ts";
export {
  DEFAULT_REFRESH_SKEW_MS,
  kindOfUserType,
  OAuthCredentials,
  PrivateIntegrationToken,
} from "./credentials.ts";
export type {
  AuthorizeUrlOptions,
  ExchangeCodeOptions,
  FetchLike,
  InstalledLocation,
  InstalledLocationsPage,
  InstalledLocationsQuery,
  OAuthAppOptions,
} from "./oauth.ts";
export {
  DEFAULT_API_BASE_URL,
  MARKETPLACE_HOST,
  OAuthApp,
  WHITE_LABEL_MARKETPLACE_HOST,
} from "./oauth.ts";
export type { TokenSet, TokenStore, UserType } from "./token-store.ts";
export { MemoryTokenStore } from "./token-store.ts";
