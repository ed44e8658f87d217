/**
 * What the edge checks of an upload against its plan, rather than trusting the client
 * (issue 11, hole 2): the parts storage holds (ListParts, where the server has it) before
 * completion, and the assembled object's size (HEAD) after it. Pure comparisons; the
 * service does the I/O and fails the upload.
 */
import type { FailureCode } from "@streamline/contracts";
import type { VideoRow } from "../../db/schema.ts";
import { AppError } from "../../lib/errors.ts";
import type { ListedPart } from "../../lib/storage/object-store.ts";

/** The machine-readable failure recorded on the video (`videos.failure_code`). */
export const SIZE_MISMATCH_CODE: FailureCode = "upload_size_mismatch";

type Plan = Pick<VideoRow, "size" | "partSize" | "partCount">;

export function expectedPartSize(video: Plan, n: number): number {
  return n < video.partCount ? video.partSize : video.size - video.partSize * (video.partCount - 1);
}

export interface PartOffPlan {
  partNumber: number;
  expected: number;
  /** null: storage holds no such part. */
  stored: number | null;
}

/** Planned parts whose stored size differs from the plan (parts beyond the plan are never completed). */
export function partsOffPlan(video: Plan, listed: ListedPart[]): PartOffPlan[] {
  const stored = new Map(listed.map((p) => [p.partNumber, p.size]));
  const off: PartOffPlan[] = [];
  for (let n = 1; n <= video.partCount; n++) {
    const expected = expectedPartSize(video, n);
    const size = stored.get(n) ?? null;
    if (size !== expected) off.push({ partNumber: n, expected, stored: size });
  }
  return off;
}

/** Owner-facing reason for a stored part that is off the plan. */
export function partMismatchReason(off: PartOffPlan[]): string {
  const first = off[0]!;
  const stored = first.stored === null ? "nothing" : `${first.stored} bytes`;
  const more = off.length > 1 ? ` (and ${off.length - 1} more parts)` : "";
  return `upload size mismatch: part ${first.partNumber} declared ${first.expected} bytes, stored ${stored}${more}`;
}

/** Owner-facing reason for an assembled object of the wrong size. */
export function objectMismatchReason(declared: number, stored: number | null): string {
  return `upload size mismatch: declared ${declared} bytes, stored ${stored ?? 0}`;
}

/** 422: the upload is over; the message names declared vs stored bytes. */
export function sizeMismatchError(reason: string, issue: Record<string, unknown>): AppError {
  return new AppError(422, "size_mismatch", reason, { issues: [{ path: "size", ...issue }] });
}
