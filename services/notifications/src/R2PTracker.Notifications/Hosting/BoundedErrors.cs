namespace R2PTracker.Notifications.Hosting;

/// <summary>
/// Validation errors by field, of which at most <see cref="MaxListed"/> are listed: a request with a
/// hundred thousand bad entries gets a short answer (the first ones and how many more), not one
/// larger than the request itself.
/// </summary>
public sealed class BoundedErrors
{
    public const int MaxListed = 20;
    private readonly Dictionary<string, string[]> _listed = new();

    public int Count => _listed.Count + NotListed;
    public int NotListed { get; private set; }

    public void Add(string field, string message)
    {
        if (_listed.ContainsKey(field)) return;
        if (_listed.Count < MaxListed) _listed[field] = [message];
        else NotListed++;
    }

    public bool Has(string field) => _listed.ContainsKey(field);

    public IReadOnlyDictionary<string, string[]> Listed => _listed;

    public IResult ToProblem(string title = "The request is not valid.") => Results.ValidationProblem(_listed, title: title,
        detail: NotListed > 0 ? $"{NotListed} more error(s) not listed." : null,
        extensions: NotListed > 0 ? new Dictionary<string, object?> { ["errorsNotListed"] = NotListed } : null);
}
