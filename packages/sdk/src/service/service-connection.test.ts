import { describe, expect, it } from 'vitest';
import { socketUrl } from './service-connection.js';

describe('socketUrl', () => {
  it('turns an http(s) base into the ws(s) socket URL', () => {
    expect(socketUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/v1/ws');
    expect(socketUrl('https://baton.example.com/api/')).toBe('wss://baton.example.com/api/v1/ws');
    expect(socketUrl('wss://baton.example.com')).toBe('wss://baton.example.com/v1/ws');
  });
});
