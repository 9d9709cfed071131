using System.CommandLine;
using DitML.Data;

namespace DitML.Cli.Commands;

/// <summary>The options that name a training set (`train`, `train-vae`): --data, and --image-size/--channels for image folders.</summary>
internal sealed class DataOptions
{
    public Option<string> Data { get; } = new("--data")
    {
        Description = "fashion-mnist (Debian's dataset-fashion-mnist), a folder with IDX files (MNIST, Fashion-MNIST), or an image folder with one subfolder per class.",
        DefaultValueFactory = _ => "fashion-mnist",
    };

    public Option<int> ImageSize { get; } = new("--image-size") { Description = "Image folders: side after the official center crop and resize.", DefaultValueFactory = _ => 32 };

    public Option<int> Channels { get; } = new("--channels") { Description = "Image folders: 3 (RGB) or 1 (grayscale).", DefaultValueFactory = _ => 3 };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(ImageSize);
        command.Options.Add(Channels);
    }

    /// <summary>The training split the options name.</summary>
    public IImageDataset Open(ParseResult parse) => Open(parse.GetValue(Data)!, parse.GetValue(ImageSize), parse.GetValue(Channels));

    /// <summary>Fashion-MNIST, a folder of IDX files, or an image folder (one subfolder per class): its training split.</summary>
    public static IImageDataset Open(string source, int imageSize, int channels)
    {
        if (source == "fashion-mnist") return FashionMnist.Load(IdxSplit.Train);
        if (!Directory.Exists(source)) throw new DirectoryNotFoundException($"--data: no folder {source} (give fashion-mnist, a folder of IDX files or an image folder with a subfolder per class)");
        return HasSplit(source, IdxSplit.Train) ? IdxDataset.Load(source, IdxSplit.Train)
            : ImageFolderDataset.Open(source, new ImageFolderOptions { ImageSize = imageSize, Channels = channels });
    }

    /// <summary>The test split when the data has one (Fashion-MNIST, an IDX folder with t10k files); null otherwise.</summary>
    public static IImageDataset? OpenTest(string source)
    {
        if (source == "fashion-mnist") return FashionMnist.Load(IdxSplit.Test);
        return Directory.Exists(source) && HasSplit(source, IdxSplit.Test) ? IdxDataset.Load(source, IdxSplit.Test) : null;
    }

    private static bool HasSplit(string folder, IdxSplit split) =>
        Directory.EnumerateFiles(folder).Any(f => Path.GetFileName(f).StartsWith(IdxDataset.ImagesFileName(split), StringComparison.Ordinal));
}
