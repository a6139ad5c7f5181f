// HighLevel's published Ed25519 key for x-ghl-signature (SPKI, base64), from its marketplace webhook
// guide. The default, so real deliveries verify with no configuration; HIGHLEVEL_WEBHOOK_PUBLIC_KEY
// overrides it (the sandbox and tests sign with keys of their own).
export const HIGHLEVEL_WEBHOOK_PUBLIC_KEY = "MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=";
