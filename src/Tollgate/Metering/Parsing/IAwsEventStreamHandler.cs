namespace Tollgate.Metering.Parsing;

/// <summary>Receives the verified frames of an AWS event stream from <see cref="AwsEventStreamDecoder"/>, in order.</summary>
internal interface IAwsEventStreamHandler
{
    void OnFrame(AwsEventStreamFrame frame);
}
