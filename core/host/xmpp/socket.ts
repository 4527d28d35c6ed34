import type { Entity } from "./entity.js";
import { AuthenticationError, InsecureConnectionError, XmppConfigError } from "./errors.js";

/** The typed error for failures that no retry fixes, or undefined for transient ones. */
export function permanent(err: unknown): Error | undefined {
  if (err instanceof InsecureConnectionError || err instanceof AuthenticationError) return err;
  if (err instanceof XmppConfigError) return err;
  const condition = (err as { condition?: unknown } | null)?.condition;
  // RFC 6120 §6.5.10 (SASL) and §4.9.3.12 (stream): the credentials or secret were refused.
  if (condition === "not-authorized") {
    return new AuthenticationError("the server refused our credentials", "not-authorized");
  }
  return undefined;
}

/**
 * Turn off Nagle's algorithm: a batch message ends in a short TCP segment that would otherwise
 * wait for the peer's delayed ACK (~40 ms) before leaving, capping throughput per round trip.
 */
export function noDelay(entity: Entity): void {
  const socket = (entity as { socket?: unknown }).socket as
    | { setNoDelay?: (on: boolean) => void; socket?: { setNoDelay?: (on: boolean) => void } }
    | undefined;
  (socket?.setNoDelay ? socket : socket?.socket)?.setNoDelay?.(true);
}

/** Drop the TCP connection at once; its "close" turns into our drop and a reconnect. */
export function destroySocket(entity: Entity): void {
  const socket = (entity as { socket?: unknown }).socket as
    { destroy?: () => void; socket?: { destroy?: () => void } } | undefined;
  (socket?.destroy ? socket : socket?.socket)?.destroy?.();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
