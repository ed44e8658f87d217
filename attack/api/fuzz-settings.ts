/**
 * How much the API fuzzer sends and from which seed: set in vitest.config.ts (`provide`)
 * from ATTACK_FUZZ_REQUESTS / ATTACK_SEED, because workerd has no `process.env`.
 */
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    attackFuzzRequests: number;
    attackSeed: number;
  }
}

export const FUZZ_REQUESTS = inject("attackFuzzRequests") || 600;
export const FUZZ_SEED = inject("attackSeed") || 1411;
