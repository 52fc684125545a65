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
        "choices[*].message.function_call.arguments",
        "choices[*].message.audio.transcript",

        // Completions (OpenAI legacy); Bedrock Mistral invoke.
        "choices[*].text",
        "outputs[*].text",

        // OpenAI responses.
        "output[*].content[*].text",
        "output[*].arguments",
        "output[*].summary[*].text",

        // Anthropic messages (also on Bedrock and Vertex AI): text and thinking.
        "content[*].text",
        "content[*].thinking",

        // Gemini and Vertex AI generateContent.
        "candidates[*].content.parts[*].text",
        "candidates[*].content.parts[*].executableCode.code",
        "candidates[*].content.parts[*].codeExecutionResult.output",

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

    /// <summary>Tool inputs the model wrote, whose every string is generated text: Anthropic <c>tool_use</c>, Gemini <c>functionCall</c>, Converse <c>toolUse</c>.</summary>
    private static readonly string[] SubtreePaths =
    [
        "content[*].input",
        "candidates[*].content.parts[*].functionCall.args",
        "output.message.content[*].toolUse.input",
    ];

    /// <summary>The provider answer shapes, as one group of paths.</summary>
    public static IEnumerable<JsonTextPath> ProviderShapes { get; } =
        [.. StringPaths.Select(p => JsonTextPath.Parse(p, subtree: false)), .. SubtreePaths.Select(p => JsonTextPath.Parse(p, subtree: true))];
}
