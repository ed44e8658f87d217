import type { ReportGroupDto } from "@streamline/contracts";
import { describe, expect, it } from "vitest";
import { actionLabel, actionsFor } from "./queue-model.ts";

const report = (status: "open" | "resolved") => ({
  id: "r_1",
  targetType: "video" as const,
  targetId: "v_1",
  reason: "spam" as const,
  details: null,
  status,
  createdAt: "2026-12-07T18:00:00.000Z",
  reporter: "viewer",
  resolution: null,
  resolvedAt: null,
});
const group = (patch: Partial<ReportGroupDto>): ReportGroupDto => ({
  targetType: "video",
  targetId: "v_1",
  content: { gone: false, title: "t", body: "", link: "/watch/v_1", takenDown: null },
  owner: { id: "u_1", handle: "owner", suspended: null },
  firstReportedAt: "2026-12-07T18:00:00.000Z",
  reports: [report("open")],
  ...patch,
});
const names = (g: ReportGroupDto) => actionsFor(g).map((a) => a.action);

describe("actionsFor", () => {
  it("an open video report: dismiss, take down, suspend the owner", () => {
    expect(names(group({}))).toEqual(["dismiss", "take_down", "suspend_user"]);
  });

  it("an open comment report: remove instead of take down; nothing to remove once it is gone", () => {
    expect(names(group({ targetType: "comment" }))).toEqual(["dismiss", "remove_comment", "suspend_user"]);
    const gone = group({ targetType: "comment", owner: null, content: { ...group({}).content, gone: true } });
    expect(names(gone)).toEqual(["dismiss"]);
  });

  it("resolved: only the undo actions that apply", () => {
    const takenDown = { ...group({}).content, takenDown: { at: "2026-12-07T18:05:00.000Z", reason: "x" } };
    expect(names(group({ reports: [report("resolved")], content: takenDown }))).toEqual(["restore_video"]);
    const suspended = {
      id: "u_1",
      handle: "owner",
      suspended: { at: "2026-12-07T18:05:00.000Z", reason: "x" },
    };
    expect(names(group({ reports: [report("resolved")], owner: suspended }))).toEqual(["restore_user"]);
    expect(names(group({ reports: [report("resolved")] }))).toEqual([]);
  });

  it("take down and suspend need a note (the reason the owner sees)", () => {
    const needs = actionsFor(group({}))
      .filter((a) => a.needsNote)
      .map((a) => a.action);
    expect(needs).toEqual(["take_down", "suspend_user"]);
  });
});

describe("actionLabel", () => {
  it("reads audit actions as words, unknown ones as they are", () => {
    expect(actionLabel("take_down")).toBe("Took down");
    expect(actionLabel("something_new")).toBe("something_new");
  });
});
