import type { Element } from "@xmpp/xml";
import type { Event } from "../../sdk/event.js";
import { compactXml } from "./compact.js";
import { messageAttrs } from "./message.js";
import { SerializedElement, startTag } from "./serialized-element.js";
import type { CodecStats } from "./stats.js";

export interface PackerOptions {
  /** Most UTF-8 bytes one `<message>` stanza may take on the wire, envelope included. */
  budgetBytes: number;
  /** The room (bare JID) the messages go to. */
  to: string;
  /** Bytes kept free for attributes the caller adds to each message later, such as an id. */
  reserveBytes?: number;
  /** Counts characters replaced in keys and values. */
  stats?: CodecStats;
  /** Receives each event too large to fit any message; without it, add() throws instead. */
  onTooLarge?: (event: Event, bytes: number) => void;
}

/** An event whose compact form alone does not fit in a message under the byte budget. */
export class EventTooLargeError extends Error {
  override readonly name = "EventTooLargeError";

  constructor(
    readonly event: Event,
    readonly bytes: number,
    readonly budgetBytes: number,
  ) {
    super(
      `event ${event.id()} needs ${bytes} bytes in a message, over the budget of ${budgetBytes}`,
    );
  }
}

const SMALLEST_EVENT = '<e xmlns="abusehelper#event"/>'.length;

/**
 * Packs compact `<e>` events into as few groupchat messages as fit under a byte budget, in order.
 * Sizes are kept incrementally (envelope + sum of event sizes), never by re-serializing: each
 * `<e>` is ASCII, so its length is its byte count.
 */
export class MessagePacker {
  readonly #to: string;
  readonly #budget: number;
  readonly #envelope: number;
  readonly #stats: CodecStats | undefined;
  readonly #onTooLarge: ((event: Event, bytes: number) => void) | undefined;
  #parts: string[] = [];
  #bytes = 0;

  constructor(options: PackerOptions) {
    const { budgetBytes, to, reserveBytes = 0 } = options;
    if (typeof to !== "string" || to === "") {
      throw new TypeError("MessagePacker: option `to` must be a room JID");
    }
    if (!Number.isSafeInteger(reserveBytes) || reserveBytes < 0) {
      throw new RangeError(`MessagePacker: option \`reserveBytes\` must be an integer >= 0`);
    }
    this.#to = to;
    this.#budget = budgetBytes;
    this.#stats = options.stats;
    this.#onTooLarge = options.onTooLarge;
    const open = startTag("message", messageAttrs(to));
    this.#envelope = Buffer.byteLength(open, "utf8") + ">".length + "</message>".length;
    this.#envelope += reserveBytes;
    const least = this.#envelope + SMALLEST_EVENT;
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes < least) {
      throw new RangeError(
        `MessagePacker: option \`budgetBytes\` must be an integer >= ${least} for room ${to}, got ${budgetBytes}`,
      );
    }
  }

  /** Number of events waiting in the message being filled. */
  get pendingEvents(): number {
    return this.#parts.length;
  }

  /** Bytes the message being filled would take if flushed now (0 when empty). */
  get pendingBytes(): number {
    return this.#parts.length === 0 ? 0 : this.#envelope + this.#bytes;
  }

  /**
   * Queue an event; returns the message it completed, if adding it overflowed the one being
   * filled. An event that cannot fit even alone goes to `onTooLarge` (or throws
   * EventTooLargeError) and leaves the packer unchanged.
   */
  add(event: Event): Element[] {
    const xml = compactXml(event, this.#stats);
    const size = xml.length;
    if (this.#envelope + size > this.#budget) {
      if (this.#onTooLarge === undefined) {
        throw new EventTooLargeError(event, this.#envelope + size, this.#budget);
      }
      this.#onTooLarge(event, this.#envelope + size);
      return [];
    }
    const done: Element[] = [];
    if (this.#envelope + this.#bytes + size > this.#budget) done.push(this.#complete());
    this.#parts.push(xml);
    this.#bytes += size;
    return done;
  }

  /** The message being filled, if it holds any event; the packer starts empty again. */
  flush(): Element | undefined {
    return this.#parts.length === 0 ? undefined : this.#complete();
  }

  #complete(): Element {
    const message = new SerializedElement("message", messageAttrs(this.#to), this.#parts.join(""));
    this.#parts = [];
    this.#bytes = 0;
    return message;
  }
}

export interface PackResult {
  /** The messages, in order, each within the budget. */
  messages: Element[];
  /** Events that do not fit in any message, in order; they are in no message. */
  tooLarge: Event[];
}

/** Pack a batch of events into as few compact messages as fit under `budgetBytes`. */
export function packEvents(
  events: Iterable<Event>,
  options: Omit<PackerOptions, "onTooLarge">,
): PackResult {
  const tooLarge: Event[] = [];
  const packer = new MessagePacker({ ...options, onTooLarge: (event) => tooLarge.push(event) });
  const messages: Element[] = [];
  for (const event of events) messages.push(...packer.add(event));
  const last = packer.flush();
  if (last !== undefined) messages.push(last);
  return { messages, tooLarge };
}
