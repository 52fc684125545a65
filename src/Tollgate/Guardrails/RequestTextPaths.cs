namespace Tollgate.Guardrails;

/// <summary>
/// Where the built-in providers' request bodies hold text. One set serves every provider route, because
/// Bedrock and Vertex AI host several model families (Anthropic, Llama, Mistral, Cohere, Titan, Gemini)
/// and the shapes do not collide: no API puts something other than text at these paths. Only strings
/// here are examined; images, audio and files (base64 data, URLs) sit elsewhere and pass untouched.
/// </summary>
internal static class RequestTextPaths
{
    private static readonly string[] StringPaths =
    [
        // OpenAI chat completions (also Azure, Mistral, vLLM, and the OpenAI-compatible endpoints of the others);
        // Anthropic messages and Bedrock Converse content blocks share messages[*].content[*].text.
        "messages[*].content",
        "messages[*].content[*].text",

        // Anthropic tool results (string or text blocks); Bedrock Converse tool results.
        "messages[*].content[*].content",
        "messages[*].content[*].content[*].text",
        "messages[*].content[*].toolResult.content[*].text",

        // Anthropic and Bedrock Converse system prompts.
        "system",
        "system[*].text",

        // OpenAI responses: input as a string or as items with string or part content; instructions.
        // Embeddings and moderations: input as a string or a list of strings; text-to-speech: input.
        "input",
        "input[*]",
        "input[*].content",
        "input[*].content[*].text",
        "input[*].output",
        "instructions",

        // Completions (OpenAI legacy, Bedrock Llama/Mistral invoke, Mistral FIM), image prompts.
        "prompt",
        "prompt[*]",
        "suffix",

        // Gemini and Vertex AI generateContent, countTokens, embedContent and batchEmbedContents.
        "contents[*].parts[*].text",
        "systemInstruction.parts[*].text",
        "system_instruction.parts[*].text",
        "content.parts[*].text",
        "requests[*].content.parts[*].text",

        // Vertex AI predict (text embeddings, PaLM text).
        "instances[*].content",
        "instances[*].prompt",

        // Bedrock Titan.
        "inputText",

        // Cohere chat v1 (message, preamble, chat_history), rerank (query), embed (texts).
        "message",
        "preamble",
        "chat_history[*].message",
        "query",
        "texts[*]",
    ];

    /// <summary>Cohere documents (chat, rerank): strings, or objects whose every string field is document text.</summary>
    private static readonly string[] SubtreePaths = ["documents"];

    /// <summary>The provider shapes, as one group of paths.</summary>
    public static IEnumerable<JsonTextPath> ProviderShapes { get; } =
        [.. StringPaths.Select(p => JsonTextPath.Parse(p, subtree: false)), .. SubtreePaths.Select(p => JsonTextPath.Parse(p, subtree: true))];
}
