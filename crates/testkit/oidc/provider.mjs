// A real OpenID Connect provider (node-oidc-provider) on loopback, playing an office's
// unified identity platform (统一身份认证) in duban's sign-in tests.
//
//   node provider.mjs <redirect_uri>
//
// Prints one line of JSON, {"issuer": "http://127.0.0.1:PORT"}, once it listens. The
// client is `duban` with secret `duban-test-secret` (client_secret_basic), PKCE required.
// Profile claims reach duban through the userinfo endpoint, as in the provider's default
// (conforming) mode. Test controls, on the same port:
//   POST /_next?sub=S&username=U   who signs in at the next authorization
//   POST /_tamper?mode=M           the next ID token is altered after the provider made it:
//                                  iss | aud | exp | nonce (re-signed with the provider's own
//                                  key, so only the claim checks can catch them) | sig (a
//                                  signature byte changed) | none (alg "none", unsigned)
// The process ends when its stdin closes (the test that started it is gone).

import http from 'node:http';
import Provider from 'oidc-provider';
import * as jose from 'jose';

// stdout carries the one line the test reads; the provider's own notices go to stderr.
console.log = console.error;
console.info = console.error;

const redirectUri = process.argv[2];
if (!redirectUri) {
  console.error('usage: node provider.mjs <redirect_uri>');
  process.exit(2);
}

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

const accounts = new Map();
let next = { sub: 'ext-0001', username: 'nobody' };
let tamper = null;

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'duban',
        client_secret: 'duban-test-secret',
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['duban-test-cookie-key'] },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, preferred_username: a.username, name: a.username };
        },
      };
    },
  });

  // The ID token as duban receives it, altered when a test asked for it.
  provider.use(async (ctx, nextMw) => {
    await nextMw();
    if (ctx.path !== '/token' || ctx.status !== 200 || !tamper || !ctx.body?.id_token) return;
    const mode = tamper;
    tamper = null;
    const token = ctx.body.id_token;
    const claims = jose.decodeJwt(token);
    const now = Math.floor(Date.now() / 1000);
    if (mode === 'sig') {
      const [h, p, s] = token.split('.');
      const flipped = (s[10] === 'A' ? 'B' : 'A');
      ctx.body.id_token = `${h}.${p}.${s.slice(0, 10)}${flipped}${s.slice(11)}`;
      return;
    }
    if (mode === 'none') {
      const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
      ctx.body.id_token = `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
      return;
    }
    if (mode === 'iss') claims.iss = 'https://idp.attacker.example';
    if (mode === 'aud') claims.aud = 'another-client';
    if (mode === 'exp') {
      claims.iat = now - 7200;
      claims.exp = now - 3600;
    }
    if (mode === 'nonce') claims.nonce = 'a-nonce-duban-never-sent';
    ctx.body.id_token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
      .sign(privateKey);
  });

  const handle = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    try {
      if (req.method === 'POST' && url.pathname === '/_next') {
        next = { sub: url.searchParams.get('sub'), username: url.searchParams.get('username') };
        accounts.set(next.sub, { username: next.username });
        res.end('{}');
      } else if (req.method === 'POST' && url.pathname === '/_tamper') {
        tamper = url.searchParams.get('mode');
        res.end('{}');
      } else if (req.method === 'GET' && url.pathname.startsWith('/interaction/')) {
        // The person signs in at the platform and consents: the platform's own pages,
        // which duban never sees.
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: next.sub, clientId: details.params.client_id });
        grant.addOIDCScope(details.params.scope);
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: next.sub }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      } else {
        handle(req, res);
      }
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
