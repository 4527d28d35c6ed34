// The registry loads a bot from bots/<name>/<name>.ts; the imap source shares the mail intake,
// so it lives in bots/mail/ and is registered from here.
export { imap } from "../mail/imap-source.js";
