namespace Tollgate.Providers.VertexAi;

/// <summary>Where <c>projects/{project}</c> and <c>locations/{location}</c> sit in a Vertex AI path, if they do.</summary>
internal readonly record struct VertexPath(Range? Project, Range? Location)
{
    public static VertexPath Parse(ReadOnlySpan<char> path)
    {
        Range? project = null, location = null;
        var previous = ReadOnlySpan<char>.Empty;
        foreach (var range in path.Split('/'))
        {
            if (project is null && previous.SequenceEqual("projects"))
            {
                project = range;
            }
            else if (location is null && previous.SequenceEqual("locations"))
            {
                location = range;
            }

            previous = path[range];
        }

        return new VertexPath(project, location);
    }
}
