/** How long a dispatched attempt may go without a heartbeat before the room re-enqueues it. */
export const LEASE_MS = 60_000;
