import { StringDecoder } from 'node:string_decoder';
import { FeedError } from '../../errors.ts';

/** Lines of a UTF-8 stream (LF or CRLF), without their line ends; a line longer than `maxChars` is a FeedError. */
export async function* textLines(chunks: AsyncIterable<Buffer>, what: string, maxChars: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      yield text.slice(start, nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl);
      start = nl + 1;
    }
    carry = text.slice(start);
    if (carry.length > maxChars) throw new FeedError('FEED_LIMIT', `${what}: a line is longer than ${maxChars} characters`);
  }
  const last = carry + decoder.end();
  if (last !== '') yield last.endsWith('\r') ? last.slice(0, -1) : last;
}
