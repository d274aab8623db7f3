import { uriParts } from './sip-uri';

describe('uriParts', () => {
  it.each([
    ['sip:100@198.18.0.10', { user: '100', host: '198.18.0.10' }],
    ['sips:+4930123@Example.COM:5061;transport=tls', { user: '+4930123', host: 'example.com' }],
    ['<sip:008816802801@pbx.example;user=phone>', { user: '008816802801', host: 'pbx.example' }],
    ['"Reception" <sip:113@pbx.example?Replaces=abc%40x>', { user: '113', host: 'pbx.example' }],
    ['sip:alice:secret@[2001:db8::1]:5060', { user: 'alice', host: '[2001:db8::1]' }],
    ['sip:%2B4930123@pbx.example', { user: '+4930123', host: 'pbx.example' }],
    ['sip:pbx.example', { host: 'pbx.example' }],
    ['tel:+1-201-555-0123;phone-context=example.com', { user: '+1-201-555-0123' }],
    ['http://example.com/', {}],
    ['', {}],
    [undefined, {}],
  ])('%s', (uri, parts) => {
    expect(uriParts(uri)).toEqual(parts);
  });
});
