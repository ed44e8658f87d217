/** What a `npm run bench:community` section is and gets (bench/community.ts runs them). */
import type { startE2EStack } from "../../e2e/support.ts";
import type { StackOptions } from "../../scripts/lib/stack.ts";

export type BenchStack = Awaited<ReturnType<typeof startE2EStack>>;
export type LineListener = (line: string) => void;

/** What a section gets: the shared stack, the stack's output lines, and a way to start another. */
export interface BenchContext {
  stack: BenchStack;
  /** Every line the stack's children print (`[edge] …`); returns the unsubscribe. */
  onLine(listener: LineListener): () => void;
  /** A second stack (a baseline with other settings); the section stops it. */
  startStack(extra?: Partial<StackOptions>): Promise<BenchStack>;
}

/** One measurement: runs against the context, records its own RESULTS.md row, returns its JSON. */
export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}
