import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { grantRole, signUp } from "../../../test/auth.ts";
import { insertVideo } from "../../../test/fixtures.ts";
import { call, callJson, waitFor } from "../../../test/http.ts";

describe("admin fleet view", () => {
  it("shows the fleet's registry to admins", async () => {
    const admin = await signUp();
    await grantRole(admin);
    const res = await callJson<{ fleet: { nodes: { nodeId: string }[] } }>("/api/admin/fleet", {
      headers: admin.auth,
    });
    expect(res.status).toBe(200);
    expect(res.body.fleet.nodes[0]!.nodeId).toBe("recorder");
  });

  it("is a 404 for everyone else and 401 anonymously", async () => {
    const user = await signUp();
    expect((await call("/api/admin/fleet", { headers: user.auth })).status).toBe(404);
    expect((await call("/api/admin/fleet")).status).toBe(401);
  });
});

describe("deleting a video mid-transcode", () => {
  it("cancels the job on the fleet and closes watcher sockets with 4404", async () => {
    const owner = await signUp();
    const video = await insertVideo({ ownerId: owner.id, status: "processing" });
    const ticket = await callJson<{ ticket: string }>("/api/ws-ticket", {
      method: "POST",
      json: { videoId: video.id },
      headers: owner.auth,
    });
    const upgrade = await call(`/ws/videos/${video.id}?ticket=${ticket.body.ticket}`, {
      headers: { upgrade: "websocket" },
    });
    const ws = upgrade.webSocket!;
    const closed: { code?: number } = {};
    ws.addEventListener("close", (e) => {
      closed.code = e.code;
    });
    ws.accept();

    expect((await call(`/api/videos/${video.id}`, { method: "DELETE", headers: owner.auth })).status).toBe(
      204,
    );
    const cancels = await waitFor(async () => {
      const res = await fetch(`${env.FLEET_URL}/__cancels?videoId=${video.id}`);
      const body = (await res.json()) as { cancels: { jobId: string; reason: string }[] };
      return body.cancels.length > 0 && body.cancels;
    });
    expect(cancels[0]).toMatchObject({ jobId: video.jobId, videoId: video.id, reason: "video deleted" });
    await waitFor(async () => closed.code !== undefined);
    expect(closed.code).toBe(4404);
  });
});
