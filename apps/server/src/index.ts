/**
 * @mailpen/server: the `mailpen` command's composition of SMTP, store and HTTP, exported for test
 * suites (`startMailpen`) and for tests of the HTTP app without ports (`buildApp`).
 * This is the package's only entry point.
 */
export { startMailpen, type RunningMailpen, type StartMailpenExtras } from "./start-mailpen.ts";
export { buildApp, type AppConfig, type BuildAppOptions } from "./app.ts";
export { createStoreBackend, type StoreBackendOptions } from "./backend-adapter.ts";
export { DEFAULT_CONFIG, toMailpenConfig, type MailpenConfig, type MailpenOptions } from "./config.ts";
export { parseCliArgs, formatHelp } from "./cli-args.ts";
export { MAILPEN_VERSION } from "./version.ts";
