// The public surface of core: bots import only from here.
export { Event, compareCodePoints, type EventInit, type EventJson } from "./event.js";
export { KEYS, isHarmonizedKey, formatTime, type HarmonizedKey } from "./keys.js";
