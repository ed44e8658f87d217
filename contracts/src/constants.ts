/** Values two or more packages must agree on. */

/** WebSocket close code a video room sends when its video is deleted (4000–4999 is app space). */
export const CLOSE_VIDEO_DELETED = 4404;
