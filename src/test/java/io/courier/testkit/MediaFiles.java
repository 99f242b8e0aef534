package io.courier.testkit;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Real media files made in memory (the JDK's ImageIO writers), so the checks read what a producer would send. */
public final class MediaFiles {

    private MediaFiles() {}

    /** A PNG of this size; one bit per pixel, so a 40-megapixel one is small to hold and quick to write. */
    public static byte[] png(int width, int height) {
        return write("png", new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY));
    }

    public static byte[] jpeg(int width, int height) {
        return write("jpeg", new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB));
    }

    /** An animated GIF of {@code frames} frames of 8 x 8 pixels. */
    public static byte[] gif(int frames) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < frames; i++) {
                writer.writeToSequence(new IIOImage(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED), null,
                        null), null);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** An MP4 file's first bytes (an ftyp box) padded to 100 kB. */
    public static byte[] mp4() {
        return mp4(100_000);
    }

    /** An MP4 file's first bytes (an ftyp box), then {@code size} bytes in all that differ from part to part. */
    public static byte[] mp4(int size) {
        byte[] box = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'a', 'v',
                'c', '1'};
        byte[] file = new byte[size];
        for (int i = box.length; i < size; i++) {
            file[i] = (byte) (i * 31 + (i >>> 12));
        }
        System.arraycopy(box, 0, file, 0, box.length);
        return file;
    }

    public static byte[] pdf() {
        return "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A ZIP holding the given entries (a DOCX has word/document.xml). */
    public static byte[] zip(String... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String entry : entries) {
                zip.putNextEntry(new ZipEntry(entry));
                zip.write("<x/>".getBytes(StandardCharsets.US_ASCII));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] html() {
        return "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>"
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] write(String format, BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
