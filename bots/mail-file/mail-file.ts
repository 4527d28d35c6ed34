// The registry loads a bot from bots/<name>/<name>.ts; mail-file shares the mail intake, so
// it lives in bots/mail/ and is registered from here.
export { mailFile } from "../mail/mail-file-source.js";
