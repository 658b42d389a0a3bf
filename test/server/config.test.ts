import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_RUNCOMFY_BASE_URL, loadServerConfig } from '../../app/server/config';

describe('loadServerConfig', () => {
  it('uses the defaults when nothing is set', () => {
    expect(loadServerConfig({})).toEqual({ token: undefined, baseUrl: DEFAULT_RUNCOMFY_BASE_URL, port: 8188, host: '127.0.0.1', allowedHosts: [] });
  });

  it('reads every variable when they are valid', () => {
    const c = loadServerConfig({
      RUNCOMFY_API_TOKEN: '  rc_live_0123456789  ',
      RUNCOMFY_BASE_URL: 'https://example.runcomfy.net/v1/',
      PORT: '9000',
      HOST: '0.0.0.0',
      ALLOWED_HOSTS: 'studio.lan, Box.local',
    });
    expect(c).toEqual({
      token: 'rc_live_0123456789',
      baseUrl: 'https://example.runcomfy.net/v1',
      port: 9000,
      host: '0.0.0.0',
      allowedHosts: ['studio.lan', 'box.local'],
    });
  });

  it('treats blank variables as unset', () => {
    const c = loadServerConfig({ RUNCOMFY_API_TOKEN: '   ', PORT: '', HOST: '', RUNCOMFY_BASE_URL: '' });
    expect(c.token).toBeUndefined();
    expect(c.port).toBe(8188);
    expect(c.host).toBe('127.0.0.1');
    expect(c.baseUrl).toBe(DEFAULT_RUNCOMFY_BASE_URL);
  });

  it('allows http only for a loopback base URL', () => {
    expect(loadServerConfig({ RUNCOMFY_BASE_URL: 'http://127.0.0.1:9999/v1' }).baseUrl).toBe('http://127.0.0.1:9999/v1');
    expect(loadServerConfig({ RUNCOMFY_BASE_URL: 'http://localhost:9999/v1' }).baseUrl).toBe('http://localhost:9999/v1');
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer from 0 to 65535, got "abc"/],
    [{ PORT: '70000' }, /PORT must be an integer/],
    [{ PORT: '-1' }, /PORT must be an integer/],
    [{ HOST: 'bad host!' }, /HOST must be a host name or an IP address/],
    [{ RUNCOMFY_BASE_URL: 'not a url' }, /RUNCOMFY_BASE_URL is not a URL/],
    [{ RUNCOMFY_BASE_URL: 'http://model-api.runcomfy.net/v1' }, /RUNCOMFY_BASE_URL must be https:\/\//],
    [{ RUNCOMFY_BASE_URL: 'https://u:p@model-api.runcomfy.net/v1' }, /must not contain credentials/],
    [{ RUNCOMFY_API_TOKEN: 'abc' }, /RUNCOMFY_API_TOKEN looks too short/],
    [{ ALLOWED_HOSTS: 'a b' }, /ALLOWED_HOSTS must be a comma-separated list/],
  ])('rejects %j with a clear message', (env, message) => {
    let error: unknown;
    try {
      loadServerConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
  });

  it('lists every problem at once', () => {
    expect(() => loadServerConfig({ PORT: 'x', HOST: '%' })).toThrow(/PORT[\s\S]*HOST/);
  });

  it('never quotes the token in an error when it is malformed', () => {
    const token = 'secret token with spaces';
    try {
      loadServerConfig({ RUNCOMFY_API_TOKEN: token });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).message).toMatch(/RUNCOMFY_API_TOKEN must be printable ASCII without spaces/);
      expect((e as ConfigError).message).not.toContain('secret');
    }
  });
});
