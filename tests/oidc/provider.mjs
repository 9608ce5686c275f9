// A real OpenID provider (the npm package oidc-provider, version pinned in .ci/run) on
// loopback for buysocial's single sign-on tests: one confidential client for buysocial,
// and people made up from the login typed into its form:
//   "lina@example.lt"             -> that address, verified (subject "sub-lina@example.lt")
//   "unverified:lina@example.lt"  -> the same address, NOT verified (another subject)
//   "other:lina@example.lt"       -> the same address, verified, another subject
// Any password works (the package's development login form).
//
// Environment: OIDC_MODULES (the node_modules folder holding oidc-provider), OIDC_PORT,
// OIDC_ISSUER (default http://127.0.0.1:$OIDC_PORT), OIDC_REDIRECT_URIS (comma list),
// OIDC_CLIENT_SECRET. Prints "oidc-provider listening on <issuer>" when ready.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.OIDC_MODULES;
const { default: Provider } = await import(
  pathToFileURL(join(modules, 'oidc-provider', 'lib', 'index.js')).href
);

const port = Number(process.env.OIDC_PORT);
const issuer = process.env.OIDC_ISSUER || `http://127.0.0.1:${port}`;

function person(login) {
  const unverified = login.startsWith('unverified:');
  const email = login.replace(/^(unverified|other):/, '');
  const name = email.split('@')[0].replace(/^./, (c) => c.toUpperCase());
  return { sub: `sub-${login}`, email, email_verified: !unverified, name };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'buysocial',
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: (process.env.OIDC_REDIRECT_URIS || '').split(',').filter(Boolean),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The e-mail claims in the ID token itself, as EU Login puts them.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => person(id) }),
  // buysocial is the provider's own client here: no consent screen.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['a test cookie key for the provider'] },
  pkce: { required: () => true },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
