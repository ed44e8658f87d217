export * from "./api.ts";
export * from "./backoff.ts";
export * from "./constants.ts";
export * from "./events.ts";
export * from "./jobs.ts";
export * from "./media.ts";
export * from "./signing.ts";
export * from "./ws.ts";
