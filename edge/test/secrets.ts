/** Fixed secrets for the edge test Worker (tests only; dev secrets are generated). */
export const TEST_SECRETS = {
  S3_ACCESS_KEY_ID: "S3RVER",
  S3_SECRET_ACCESS_KEY: "S3RVER",
  JWT_SECRET: "test-jwt-secret-0123456789abcdef",
  DELIVERY_SECRET: "test-delivery-secret-0123456789ab",
  TRANSCODER_SECRET: "test-transcoder-secret-012345678",
} as const;
