package io.courier.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Says what fetched bytes really are, from their first bytes (never the URL or the Content-Type a server chose),
 * and checks them against LinkedIn's limits (linkedin-api.md §7): images JPEG, PNG or GIF within the pixel and GIF
 * frame limits (read from the headers by the JDK's ImageIO readers, without decoding the pixels), videos MP4,
 * documents PDF, PPT(X) or DOC(X).
 */
final class MediaInspector {

    /** What the bytes are, as LinkedIn's upload wants to be told. */
    enum Format {
        JPEG("image/jpeg"), PNG("image/png"), GIF("image/gif"), MP4("video/mp4"), PDF("application/pdf"), DOCX(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), PPTX(
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation"), MS_OFFICE(
                                "application/octet-stream");

        final String mimeType;

        Format(String mimeType) {
            this.mimeType = mimeType;
        }
    }

    private final long maxPixels;
    private final int maxGifFrames;

    MediaInspector(long maxPixels, int maxGifFrames) {
        this.maxPixels = maxPixels;
        this.maxGifFrames = maxGifFrames;
    }

    /** The format of the item's bytes, once they passed every check of its kind. */
    Format inspect(MediaItem item, Path file) {
        byte[] head = head(item, file);
        Format format = sniff(head, file);
        switch (item.kind()) {
            case IMAGE -> {
                if (format != Format.JPEG && format != Format.PNG && format != Format.GIF) {
                    throw MediaException.rejected(item, "the bytes are " + describe(format, head)
                            + ", not an image (JPEG, PNG or GIF)");
                }
                checkImage(item, file, format);
            }
            case VIDEO -> {
                if (format != Format.MP4) {
                    throw MediaException.rejected(item, "the bytes are " + describe(format, head)
                            + ", not an MP4 video");
                }
            }
            case DOCUMENT -> {
                if (format != Format.PDF && format != Format.DOCX && format != Format.PPTX
                        && format != Format.MS_OFFICE) {
                    throw MediaException.rejected(item, "the bytes are " + describe(format, head)
                            + ", not a document (PDF, PPT(X) or DOC(X))");
                }
            }
        }
        return format;
    }

    private void checkImage(MediaItem item, Path file, Format format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.name().toLowerCase(Locale.ROOT));
        if (!readers.hasNext()) {
            throw new IllegalStateException("the JDK has no ImageIO reader for " + format);
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            reader.setInput(in, false, true);
            long width = reader.getWidth(0);
            long height = reader.getHeight(0);
            if (width * height > maxPixels) {
                throw MediaException.rejected(item, String.format(Locale.ROOT,
                        "image of %d x %d = %,d pixels, over courier.media.max-image-pixels (%,d)", width, height,
                        width * height, maxPixels));
            }
            if (format == Format.GIF) {
                int frames = reader.getNumImages(true); // walks the frames' headers, decodes none
                if (frames > maxGifFrames) {
                    throw MediaException.rejected(item, "GIF of " + frames
                            + " frames, over courier.media.max-gif-frames (" + maxGifFrames + ")");
                }
            }
        } catch (MediaException verdict) {
            throw verdict;
        } catch (IOException | RuntimeException e) {
            throw MediaException.rejected(item, "not a readable " + format + " image (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } finally {
            reader.dispose();
        }
    }

    private static byte[] head(MediaItem item, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(64);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading the fetched " + item.field(), e);
        }
    }

    /** The format the first bytes announce, or null when none Courier knows. */
    static Format sniff(byte[] head, Path file) {
        if (startsWith(head, 0xFF, 0xD8, 0xFF)) {
            return Format.JPEG;
        }
        if (startsWith(head, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Format.PNG;
        }
        if (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a")) {
            return Format.GIF;
        }
        if (ascii(head, 4, "ftyp")) {
            return Format.MP4; // ISO base media: MP4 and its kin (LinkedIn reads H.264 in MP4)
        }
        if (ascii(head, 0, "%PDF-")) {
            return Format.PDF;
        }
        if (startsWith(head, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)) {
            return Format.MS_OFFICE; // the OLE2 container of .doc and .ppt
        }
        if (startsWith(head, 'P', 'K', 3, 4)) {
            return officeZip(file);
        }
        return null;
    }

    /** A ZIP is a DOCX or PPTX only with the parts those formats have; any other ZIP is no document. */
    private static Format officeZip(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.getEntry("word/document.xml") != null) {
                return Format.DOCX;
            }
            if (zip.getEntry("ppt/presentation.xml") != null) {
                return Format.PPTX;
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** What unknown bytes look like, for the message: a web page and an empty answer are the usual mistakes. */
    static String describe(Format format, byte[] head) {
        if (format != null) {
            return "a " + format + " file";
        }
        if (head.length == 0) {
            return "empty";
        }
        String text = new String(head, StandardCharsets.ISO_8859_1).stripLeading().toLowerCase(Locale.ROOT);
        if (text.startsWith("<!doctype html") || text.startsWith("<html") || text.startsWith("<head")) {
            return "an HTML page";
        }
        if (text.startsWith("{") || text.startsWith("[")) {
            return "JSON";
        }
        return "of no known type (first bytes " + HexFormat.ofDelimiter(" ").formatHex(head, 0,
                Math.min(8, head.length)) + ")";
    }

    private static boolean startsWith(byte[] head, int... bytes) {
        if (head.length < bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if ((head[i] & 0xff) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] head, int at, String text) {
        byte[] want = text.getBytes(StandardCharsets.US_ASCII);
        return head.length >= at + want.length && Arrays.equals(head, at, at + want.length, want, 0, want.length);
    }
}
