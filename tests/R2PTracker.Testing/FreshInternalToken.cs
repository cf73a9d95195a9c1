using System.Net.Http.Headers;
using R2PTracker.ServiceDefaults;

namespace R2PTracker.Testing;

/// <summary>
/// Puts on every request a newly minted internal JWT for a staff member, as the gateway does: a
/// backend accepts each token once, so a client cannot keep one token for all its requests.
/// </summary>
public sealed class FreshInternalToken(string signingKey, string staffName, string role) : DelegatingHandler
{
    private readonly Microsoft.IdentityModel.Tokens.SymmetricSecurityKey _key = InternalAuth.KeyFrom(signingKey);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            InternalAuth.IssueToken(_key, staffName, role, DateTimeOffset.UtcNow));
        return base.SendAsync(request, ct);
    }
}
