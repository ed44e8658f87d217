/**
 * VideoRoom: one Durable Object per video. Keeps the latest status/progress and fans
 * typed messages out to WebSocket watchers (hibernation API: idle sockets cost nothing).
 */
import { DurableObject } from "cloudflare:workers";
import type { WsMessage } from "@streamline/contracts";

type RoomState = { status?: WsMessage; progress?: WsMessage; renditions: WsMessage[] };

export class VideoRoom extends DurableObject<Env> {
  private state: RoomState | undefined;

  private async load(): Promise<RoomState> {
    this.state ??= (await this.ctx.storage.get<RoomState>("state")) ?? { renditions: [] };
    return this.state;
  }

  /** RPC from the edge: record and broadcast. */
  async publish(messages: WsMessage[]): Promise<void> {
    const state = await this.load();
    for (const m of messages) {
      if (m.type === "status") state.status = m;
      else if (m.type === "progress") state.progress = m;
      else if (m.type === "rendition") state.renditions = [...state.renditions.filter((r) => r.type === "rendition" && r.rendition.name !== m.rendition.name), m];
    }
    await this.ctx.storage.put("state", state);
    const frames = messages.map((m) => JSON.stringify(m));
    for (const ws of this.ctx.getWebSockets()) {
      for (const f of frames) {
        try {
          ws.send(f);
        } catch {
          // A socket closing mid-send is not the publisher's problem.
        }
      }
    }
  }

  async snapshot(): Promise<WsMessage[]> {
    const s = await this.load();
    return [s.status, ...s.renditions, s.progress].filter((m): m is WsMessage => m !== undefined);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    for (const m of await this.snapshot()) server.send(JSON.stringify(m));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Watchers may only ping; anything else closes the socket with a policy violation.
    if (message === "ping") ws.send("pong");
    else ws.close(1008, "clients may only send ping");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "bye");
  }
}
