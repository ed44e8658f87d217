/** Values two or more packages must agree on. */

/** WebSocket close code a video room sends when its video is deleted (4000–4999 is app space). */
export const CLOSE_VIDEO_DELETED = 4404;

/**
 * WebSocket close code for a watcher who lost access: the video was made private and the
 * socket was not its owner's. Like a 404 for metadata; a client should stop, not reconnect.
 */
export const CLOSE_ACCESS_REVOKED = 4403;
