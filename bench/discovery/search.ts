/** Search on a seeded catalogue (issue 15) — filled in by the search work; see ADR 0021. */
import type { Section } from "./section.ts";

export const section: Section = {
  name: "search",
  async run() {
    throw new Error("bench:discovery search: not written yet");
  },
};
