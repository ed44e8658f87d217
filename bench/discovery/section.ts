/** What a `npm run bench:discovery` section is and gets (bench/discovery.ts runs them). */
import type { startE2EStack } from "../../e2e/support.ts";
import type { StackOptions } from "../../scripts/lib/stack.ts";

export type BenchStack = Awaited<ReturnType<typeof startE2EStack>>;

/**
 * What a section gets. Most discovery measurements time queries on a fresh local D1 of their
 * own (see bench/discovery/local-d1.ts) and need no running stack: `stack()` starts the shared
 * one on first use only, so a run of sections that never ask for it starts none.
 */
export interface BenchContext {
  /** The shared local stack (wrangler dev + site + fleet), started on first call. */
  stack(): Promise<BenchStack>;
  /** Another stack with other settings; the section stops it. */
  startStack(extra?: Partial<StackOptions>): Promise<BenchStack>;
}

/** One measurement: runs against the context, records its own RESULTS.md row, returns its JSON. */
export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}
