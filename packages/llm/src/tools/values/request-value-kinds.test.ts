import { beforeAll, describe, expect, it } from 'vitest';
import { requestValueKinds } from './request-value-kinds.js';
import { loadValueParsers, type ValueParsers } from './value-parsers.js';

let parsers: ValueParsers;
beforeAll(async () => {
  parsers = await loadValueParsers();
});

const kinds = (request: string) => [...requestValueKinds(request, parsers)].sort();

describe('requestValueKinds', () => {
  it.each([
    ['Write to jo@acme.com that it is signed', ['email']],
    ['Grab the text of https://example.com/pricing', ['url']],
    ['What mail servers does example.org use?', ['domain']],
    ['File a bug on github.com/acme/app', ['repository', 'url']],
    ['Text +351 912 345 678 that I landed', ['phone']],
    ['Call +1 (555) 123-4567 now', ['phone']],
    ['Push my 2pm sync to 4pm', ['datetime']],
    ['remind me tomorrow at 9am to call the vet', ['datetime']],
    ['remind me in 2 hours', ['datetime', 'duration']],
    ['book it for next friday', ['datetime']],
    ['Count down 10 minutes for the pasta', ['duration']],
    ['Show me what is inside config/settings.yaml', ['path']],
    ['cat /etc/hosts', ['path']],
    ['read C:\\Users\\me\\notes.txt', ['path']],
    ['open D:\\photos\\cat.jpg', ['image', 'path']],
    ['What does the receipt in scan.png say?', ['image', 'path']],
    ['transcribe ~/memos/call.m4a', ['audio', 'path']],
    ['Pull the words out of contract.pdf', ['path', 'pdf']],
    ['Let #engineering know the deploy is done', ['channel']],
    ['Ping @lena about the review', ['mention']],
    ['What PRs are open on facebook/react?', ['repository']],
    ['open an issue on vercel/next.js about the loader', ['path', 'repository']],
    ['run this: select email from customers order by id desc limit 10', ['sql']],
    ['what does SELECT * FROM t give', ['sql']],
    ["SELECT count(*) FROM orders WHERE status = 'pending'", ['sql']],
    ["UPDATE users SET plan='pro' WHERE id=42", ['sql']],
    ['What is 17% of 2,340?', ['expression']],
    ['sqrt(2) * pi', ['expression']],
    ['How many kilometers is 26.2 miles?', ['quantity']],
    ['recipe says 350F, what is that in celsius', ['quantity', 'temperature']],
    ['how many yen for $500', ['money']],
    ['whats 150 usd in gbp', ['money']],
    ['what street is at 48.8584, 2.2945', ['coordinates']],
    ['block 10.0.0.12 at the firewall', ['ip']],
    ['Is TP 1352 on time?', ['flight']],
    ['which gate does BA117 leave from', ['flight']],
    ['Where is my package 1Z999AA10123456784?', ['tracking']],
    ['any news on RR123456785GB', ['tracking']],
    ['NVDA right now?', ['ticker']],
    ['how is $F trading', ['ticker']],
  ])('%s → %j', (request, expected) => {
    expect(kinds(request)).toEqual(expected);
  });

  it.each([
    ['Put on some Miles Davis'],
    ['Is our status page reachable right now?'],
    ["what's on my todo list today"],
    ['will it rain tomorrow in london'],
    ['what did people say this morning, and what is planned next week'],
    ['any plans this weekend?'],
    ['Open the message with id 18c2f'],
    ['delete the qa test rows from the events table'],
    ['the 1st of the 2nd list'],
    ['order 77812 arrived cracked, I want to send it back'],
    ['restart pod api-5f'],
    ['select the photos from my trip and share them'],
    ['we shipped v2.0 and 3.5 is next, e.g. soon'],
    ['review PR 42 before lunch'],
    ['revenue for FY 2024'],
    ['PM2.5 levels in Beijing'],
    ['sum the cells A1:D20 of the budget'],
    ['is the VM 3 up'],
    ['flights from LAX to JFK'],
    ['send the JSON over HTTPS ASAP'],
    ['PLEASE RESTART THE SERVER NOW'],
  ])('finds no value in %j', (request) => {
    expect(kinds(request)).toEqual([]);
  });

  it('takes a file whose extension is also a top-level domain as a file, and a domain whose is an obscure type as a domain', () => {
    expect(kinds('summarise notes.md')).toEqual(['path']);
    expect(kinds('read config/settings.yaml')).toEqual(['path']);
    expect(kinds('open src/main.rs')).toEqual(['path', 'repository']);
    expect(kinds('is mysite.com down?')).toEqual(['domain']);
  });

  it('reads SQL as a statement only, not the words inside it', () => {
    expect(kinds("SELECT * FROM events WHERE at > '2024-01-01' AND mail = 'a@b.co'")).toEqual(['sql']);
  });

  it('reads at most the first 2,000 characters', () => {
    expect(kinds(`${'word '.repeat(500)} jo@acme.com`)).toEqual([]);
  });
});
