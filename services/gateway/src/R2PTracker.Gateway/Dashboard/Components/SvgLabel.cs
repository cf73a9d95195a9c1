using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace R2PTracker.Gateway.Dashboard.Components;

/// <summary>An SVG &lt;text&gt; element: Razor reserves the tag &lt;text&gt; inside code blocks for itself.</summary>
public sealed class SvgLabel : ComponentBase
{
    [Parameter] public string X { get; set; } = "0";
    [Parameter] public string Y { get; set; } = "0";
    [Parameter] public string? Class { get; set; }
    [Parameter] public string Anchor { get; set; } = "start";
    [Parameter] public string? Transform { get; set; }
    [Parameter] public RenderFragment? ChildContent { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "text");
        builder.AddAttribute(1, "class", Class);
        builder.AddAttribute(2, "x", X);
        builder.AddAttribute(3, "y", Y);
        builder.AddAttribute(4, "text-anchor", Anchor);
        builder.AddAttribute(5, "transform", Transform);
        builder.AddContent(6, ChildContent);
        builder.CloseElement();
    }
}
