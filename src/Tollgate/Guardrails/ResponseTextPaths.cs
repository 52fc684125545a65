namespace Tollgate.Guardrails;

/// <summary>
/// Where the built-in providers' non-streamed answers hold generated text, for post_call guardrails. One set
/// for every provider route, as with <see cref="RequestTextPaths"/>; ids, roles, usage and finish reasons are
/// not text.
/// </summary>
internal static class ResponseTextPaths
{
    private static readonly string[] StringPaths =
    [
        // OpenAI chat completions (also Azure, Mistral, vLLM and OpenAI-compatible endpoints); tool-call arguments are text too.
        "choices[*].message.content",
        "choices[*].message.content[*].text",
        "choices[*].message.refusal",
        "choices[*].message.tool_calls[*].function.arguments",

        // Completions (OpenAI legacy); Bedrock Mistral invoke.
        "choices[*].text",
        "outputs[*].text",

        // OpenAI responses.
        "output[*].content[*].text",
        "output[*].arguments",

        // Anthropic messages (also on Bedrock and Vertex AI).
        "content[*].text",

        // Gemini and Vertex AI generateContent.
        "candidates[*].content.parts[*].text",

        // Bedrock Converse; Llama and Titan invoke.
        "output.message.content[*].text",
        "generation",
        "results[*].outputText",

        // Cohere chat v1 and v2, Bedrock Cohere invoke, rerank documents.
        "text",
        "message.content[*].text",
        "generations[*].text",
        "results[*].document.text",
    ];

    /// <summary>The provider answer shapes, as one group of paths.</summary>
    public static IEnumerable<JsonTextPath> ProviderShapes { get; } = [.. StringPaths.Select(p => JsonTextPath.Parse(p, subtree: false))];
}
