// The registry loads a bot from bots/<name>/<name>.ts; file-feed shares the feed engine, so it
// lives in bots/feed/ and is registered from here.
export { fileFeed } from "../feed/file-feed.js";
