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

        // Anthropic documents (plain-text data, content blocks, title and context) and earlier turns' thinking;
        // Bedrock Converse guard content.
        "messages[*].content[*].source{type=text}.data",
        "messages[*].content[*].source.content[*].text",
        "messages[*].content[*].title",
        "messages[*].content[*].context",
        "messages[*].content[*].thinking",
        "messages[*].content[*].guardContent.text.text",
        "system[*].guardContent.text.text",

        // OpenAI assistant turns: tool-call and legacy function-call arguments.
        "messages[*].tool_calls[*].function.arguments",
        "messages[*].function_call.arguments",

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
        "input[*].output[*].text",
        "input[*].arguments",
        "input[*].summary[*].text",
        "instructions",

        // OpenAI Assistants: a thread message's content, a run's extra instructions and messages; Conversations items.
        "content",
        "content[*].text",
        "additional_instructions",
        "additional_messages[*].content",
        "additional_messages[*].content[*].text",
        "items[*].content",
        "items[*].content[*].text",

        // Tool descriptions the model reads (OpenAI, Anthropic, Gemini, Bedrock Converse).
        "tools[*].description",
        "tools[*].function.description",
        "tools[*].functionDeclarations[*].description",
        "toolConfig.tools[*].toolSpec.description",

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

    /// <summary>
    /// Objects whose every string is text the model reads: Cohere documents (chat, rerank); tool inputs the model
    /// wrote in earlier turns (Anthropic <c>tool_use</c>, Converse <c>toolUse</c>) and JSON tool results; tool
    /// parameter schemas, whose descriptions the model reads.
    /// </summary>
    private static readonly string[] SubtreePaths =
    [
        "documents",
        "messages[*].content[*].input",
        "messages[*].content[*].toolUse.input",
        "messages[*].content[*].toolResult.content[*].json",
        "tools[*].function.parameters",
        "tools[*].parameters",
        "tools[*].input_schema",
        "tools[*].functionDeclarations[*].parameters",
        "toolConfig.tools[*].toolSpec.inputSchema",
    ];

    /// <summary>
    /// Where batch and asynchronous calls hold whole requests of the shapes above: Anthropic message batches,
    /// Gemini batchGenerateContent (inline requests), Bedrock async-invoke, an Assistants run that creates its thread.
    /// </summary>
    private static readonly string[] NestedRequests =
    [
        "requests[*].params.",
        "batch.input_config.requests.requests[*].request.",
        "requests[*].request.",
        "modelInput.",
        "thread.",
    ];

    /// <summary>The provider shapes, as one group of paths.</summary>
    public static IEnumerable<JsonTextPath> ProviderShapes { get; } =
    [
        .. NestedRequests.Prepend("").SelectMany(prefix => StringPaths.Select(p => JsonTextPath.Parse(prefix + p, subtree: false))),
        .. NestedRequests.Prepend("").SelectMany(prefix => SubtreePaths.Select(p => JsonTextPath.Parse(prefix + p, subtree: true))),
    ];
}
