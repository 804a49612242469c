/** The deterministic message number `i` of the kill test (sizes vary, some bytes are binary). */
export function killTestMessage(i: number): Buffer {
  const head = Buffer.from(`From: k@example.test\r\nTo: t@example.test\r\nSubject: kill ${i}\r\n\r\n`);
  const body = Buffer.alloc(200 + ((i * 37) % 3000), 0);
  for (let j = 0; j < body.length; j++) body[j] = (i * 31 + j * 7) % 256;
  return Buffer.concat([head, body, Buffer.from("\r\n")]);
}
