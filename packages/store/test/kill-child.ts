/**
 * Child process of the kill test: adds messages forever (in groups, to exercise group commit) and
 * prints "index id" after each addMessage resolved. The parent kills it with SIGKILL.
 */
import { openStore } from "../src/index.ts";
import { killTestMessage } from "./kill-message.ts";
import { newMessage } from "./message-builder.ts";

const file = process.argv[2];
if (!file) throw new Error("usage: kill-child.ts <db file>");
const store = openStore({ path: file, maxMessages: 0 });
let index = 0;
for (let round = 0; round < 100_000; round++) {
  const group = Array.from({ length: 1 + (round % 7) }, () => index++);
  await Promise.all(
    group.map(async (i) => {
      const summary = await store.addMessage(newMessage(killTestMessage(i)));
      process.stdout.write(`${i} ${summary.id}\n`);
    }),
  );
}
