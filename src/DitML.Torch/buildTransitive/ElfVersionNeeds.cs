// Makes TorchSharp's native library loadable where the system libstdc++ is older than the one it was linked against.
//
// libLibTorchSharp.so (TorchSharp 0.107) names GLIBCXX_3.4.32 (GCC 13) in its version needs, only for the link-time
// anchor `_ZSt21ios_base_library_initv` that GCC 13's <iostream> emits and nothing calls. Debian 12 and Ubuntu 22.04
// ship libstdc++ up to 3.4.30, so the dynamic loader refuses the library. Marking that one version need weak
// (VER_FLG_WEAK in vna_flags of its Vernaux entry) lets the loader accept it, as it does for any weak version need.
//
// This file is compiled twice: by MSBuild as an inline task (the build step, see DitML.Torch.targets) and into DitML.Torch
// (with DITML_ELF_NO_TASK and DITML_ELF_INTERNAL defined), whose run-time loader (Native/TorchSharpNative.cs) patches a
// private copy wherever the build step did not run. The tests use DitML.Torch's copy: the patch that ships is tested.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace DitML.Build
{
    /// <summary>Reads and edits the GNU version-needs section (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
#if DITML_ELF_INTERNAL
    internal static class ElfVersionNeeds
#else
    public static class ElfVersionNeeds
#endif
    {
        /// <summary>The version needs that are link-time anchors only and may be weakened safely.</summary>
        public static readonly string[] AnchorVersions = { "GLIBCXX_3.4.32" };

        /// <summary>The VER_FLG_WEAK bit of vna_flags.</summary>
        public const ushort VerFlagWeak = 0x2;

        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>One Vernaux entry: a version needed from one library.</summary>
        public sealed class VersionNeed
        {
            internal VersionNeed(string library, string version, ushort flags, long flagsOffset)
            {
                Library = library;
                Version = version;
                Flags = flags;
                FlagsOffset = flagsOffset;
            }

            /// <summary>The library the version is needed from (vn_file).</summary>
            public string Library { get; }

            /// <summary>The version name (vna_name).</summary>
            public string Version { get; }

            /// <summary>vna_flags.</summary>
            public ushort Flags { get; }

            /// <summary>File offset of vna_flags.</summary>
            public long FlagsOffset { get; }

            /// <summary>True when the need is weak: the loader accepts its absence.</summary>
            public bool IsWeak => (Flags & VerFlagWeak) != 0;
        }

        /// <summary>Lists every version need of an ELF image.</summary>
        public static List<VersionNeed> Read(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            var needs = new List<VersionNeed>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
                uint link = BitConverter.ToUInt32(elf, (int)sh + 0x28);
                uint count = BitConverter.ToUInt32(elf, (int)sh + 0x2C);
                long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + link * shentsize) + 0x18);

                long vn = offset;
                for (uint n = 0; n < count; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                    string file = CString(elf, strtab + BitConverter.ToUInt32(elf, (int)vn + 4));
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        string name = CString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                        needs.Add(new VersionNeed(file, name, flags, aux + 4));
                        uint next = BitConverter.ToUInt32(elf, (int)aux + 12);
                        if (next == 0) break;
                        aux += next;
                    }
                    uint vnNext = BitConverter.ToUInt32(elf, (int)vn + 12);
                    if (vnNext == 0) break;
                    vn += vnNext;
                }
            }
            return needs;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the needs of <paramref name="versions"/> in <paramref name="elf"/> (in memory).
        /// Returns the versions it changed; needs already weak are left alone.
        /// </summary>
        public static List<string> Weaken(byte[] elf, IEnumerable<string> versions)
        {
            var wanted = new HashSet<string>(versions, StringComparer.Ordinal);
            var changed = new List<string>();
            foreach (var need in Read(elf))
            {
                if (!wanted.Contains(need.Version) || need.IsWeak) continue;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed.Add(need.Version);
            }
            return changed;
        }

        /// <summary>True when a library file defines a version (its name appears NUL-terminated in the file).</summary>
        public static bool DefinesVersion(string libraryPath, string version)
        {
            byte[] data = File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            return IndexOf(data, needle) >= 0;
        }

        /// <summary>The system's libstdc++.so.6, or null when none is found in the usual places.</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] dirs =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            foreach (var dir in dirs)
            {
                string path = Path.Combine(dir, "libstdc++.so.6");
                if (File.Exists(path)) return path;
            }
            return null;
        }

        /// <summary>
        /// Patches the file at <paramref name="path"/> in place (through a temporary file, so a hard link to a package
        /// cache is never written through) for the anchor versions <paramref name="missing"/>; keeps its timestamp so
        /// that incremental builds don't copy it again. Returns the versions weakened.
        /// </summary>
        public static List<string> PatchFile(string path, IEnumerable<string> missing)
        {
            byte[] elf = File.ReadAllBytes(path);
            var changed = Weaken(elf, missing);
            if (changed.Count == 0) return changed;
            DateTime stamp = File.GetLastWriteTimeUtc(path);
            string temp = path + ".ditml-patch";
            File.WriteAllBytes(temp, elf);
            if (File.Exists(path)) File.Delete(path); // unlinks: a hard link into a package cache stays untouched
            File.Move(temp, path);
            File.SetLastWriteTimeUtc(path, stamp);
            return changed;
        }

        private static string CString(byte[] data, long offset)
        {
            int end = (int)offset;
            while (end < data.Length && data[end] != 0) end++;
            return Encoding.ASCII.GetString(data, (int)offset, end - (int)offset);
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }
}

#if !DITML_ELF_NO_TASK
/// <summary>MSBuild task: weakens missing anchor versions in every libLibTorchSharp.so under a folder.</summary>
public sealed class DitMLWeakenLibStdCxxAnchors : Microsoft.Build.Utilities.Task
{
    /// <summary>The folder searched (the build or publish output).</summary>
    [Microsoft.Build.Framework.Required]
    public string Directory { get; set; } = "";

    /// <inheritdoc />
    public override bool Execute()
    {
        if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) || !System.IO.Directory.Exists(Directory)) return true;
        string? libstdcxx = DitML.Build.ElfVersionNeeds.FindSystemLibStdCxx();
        if (libstdcxx == null) return true;
        var missing = new System.Collections.Generic.List<string>();
        foreach (var v in DitML.Build.ElfVersionNeeds.AnchorVersions)
            if (!DitML.Build.ElfVersionNeeds.DefinesVersion(libstdcxx, v)) missing.Add(v);
        if (missing.Count == 0) return true; // a new enough libstdc++: leave TorchSharp untouched
        foreach (var lib in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", System.IO.SearchOption.AllDirectories))
        {
            var changed = DitML.Build.ElfVersionNeeds.PatchFile(lib, missing);
            if (changed.Count > 0)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"DitML: marked {string.Join(", ", changed)} weak in {lib} ({libstdcxx} lacks it)");
        }
        return true;
    }
}
#endif
