import { describe, expect, it } from 'vitest';
import { splitWords } from './search-terms.js';
import { namedNamespaces, toolNamespaces } from './tool-namespaces.js';

const names = ['redis_get', 'redis_set', 'mongodb_find', 'mongodb_aggregate', 'gmail.send-email', 'weather'];

describe('toolNamespaces', () => {
  it('takes the first word of a name two tools share as their namespace', () => {
    const namespaces = toolNamespaces(names);
    expect(namespaces.names).toEqual(['redis', 'mongodb']);
    expect([...namespaces.of]).toEqual([0, 0, 1, 1, -1, -1]);
  });

  it('takes no word that names also have further on, which says what tools do rather than whose they are', () => {
    const tools = ['send_email', 'send_sms', 'crm_send_invoice', 'jira_create_issue', 'jira_search'];
    expect(toolNamespaces(tools).names).toEqual(['jira']);
    expect(toolNamespaces(['send_email', 'send_sms']).names).toEqual(['send']);
  });
});

describe('namedNamespaces', () => {
  const namespaces = toolNamespaces(names);
  const named = (text: string) => {
    const flags = namedNamespaces(namespaces, splitWords(text));
    return flags === undefined ? [] : namespaces.names.filter((_, i) => flags[i] === 1);
  };

  it('reads a namespace named by its word, its stem or a start of five letters or more', () => {
    expect(named("what's stored under session:abc123 in Redis?")).toEqual(['redis']);
    expect(named('in mongo, total up the orders per country')).toEqual(['mongodb']);
    expect(named('copy the key from redis into mongodb')).toEqual(['redis', 'mongodb']);
  });

  it('reads none from a shorter start, a word inside another or no mention', () => {
    expect(named('mon to fri')).toEqual([]);
    expect(named('the redistribution plan')).toEqual([]);
    expect(named('what is the weather in Oslo')).toEqual([]);
    expect(namedNamespaces(namespaces, [])).toBeUndefined();
  });
});
