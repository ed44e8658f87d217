/** Reaches a video's VideoRoom Durable Object from routes and services. */
import type { WsMessage } from "@streamline/contracts";
import type { RoomNotifier } from "../events/events.service.ts";

export function roomNotifier(env: Pick<Env, "VIDEO_ROOM">): RoomNotifier {
  return {
    async publish(videoId: string, messages: WsMessage[]) {
      const stub = env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId));
      await stub.publish(messages);
    },
  };
}
