package io.courier.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.testkit.MediaFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What fetched bytes really are, and LinkedIn's limits on them, on real files. */
class MediaInspectorTest {

    private final MediaInspector inspector = new MediaInspector(36_152_319, 250);

    @TempDir
    Path dir;

    private MediaInspector.Format inspect(MediaItem.Kind kind, byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve("item-" + System.nanoTime()), bytes);
        return inspector.inspect(new MediaItem(2, "https://cdn.example.com/x", kind, Optional.empty(),
                Optional.empty()), file);
    }

    @Test
    void imagesAreKnownByTheirBytesNotTheirNames() throws IOException {
        assertThat(inspect(MediaItem.Kind.IMAGE, MediaFiles.png(640, 480))).isEqualTo(MediaInspector.Format.PNG);
        assertThat(inspect(MediaItem.Kind.IMAGE, MediaFiles.jpeg(64, 48))).isEqualTo(MediaInspector.Format.JPEG);
        assertThat(inspect(MediaItem.Kind.IMAGE, MediaFiles.gif(3))).isEqualTo(MediaInspector.Format.GIF);
    }

    @Test
    void anImageOverLinkedInsPixelLimitIsRefusedNamingTheItemAndTheLimit() {
        assertThatThrownBy(() -> inspect(MediaItem.Kind.IMAGE, MediaFiles.png(8000, 5000)))
                .isInstanceOfSatisfying(MediaException.class,
                        e -> assertThat(e.kind()).isEqualTo(MediaException.Kind.REJECTED))
                .hasMessage("payload.media[2]: image of 8000 x 5000 = 40,000,000 pixels, over"
                        + " courier.media.max-image-pixels (36,152,319)");
    }

    @Test
    void aGifWithMoreFramesThanLinkedInTakesIsRefused() {
        assertThatThrownBy(() -> inspect(MediaItem.Kind.IMAGE, MediaFiles.gif(300)))
                .hasMessage("payload.media[2]: GIF of 300 frames, over courier.media.max-gif-frames (250)");
    }

    @Test
    void aWebPageWhereAnImageWasPromisedIsRefusedSayingWhatItIs() {
        assertThatThrownBy(() -> inspect(MediaItem.Kind.IMAGE, MediaFiles.html()))
                .hasMessage("payload.media[2]: the bytes are an HTML page, not an image (JPEG, PNG or GIF)");
        assertThatThrownBy(() -> inspect(MediaItem.Kind.IMAGE, new byte[0]))
                .hasMessageContaining("the bytes are empty");
    }

    @Test
    void aTruncatedImageIsRefusedAsUnreadable() {
        byte[] png = MediaFiles.png(64, 64);
        byte[] cut = java.util.Arrays.copyOf(png, 20);
        assertThatThrownBy(() -> inspect(MediaItem.Kind.IMAGE, cut))
                .hasMessageStartingWith("payload.media[2]: not a readable PNG image");
    }

    @Test
    void videosMustBeMp4AndDocumentsPdfOrOffice() throws IOException {
        assertThat(inspect(MediaItem.Kind.VIDEO, MediaFiles.mp4())).isEqualTo(MediaInspector.Format.MP4);
        assertThatThrownBy(() -> inspect(MediaItem.Kind.VIDEO, MediaFiles.png(10, 10)))
                .hasMessage("payload.media[2]: the bytes are a PNG file, not an MP4 video");
        assertThat(inspect(MediaItem.Kind.DOCUMENT, MediaFiles.pdf())).isEqualTo(MediaInspector.Format.PDF);
        assertThat(inspect(MediaItem.Kind.DOCUMENT, MediaFiles.zip("[Content_Types].xml", "word/document.xml")))
                .isEqualTo(MediaInspector.Format.DOCX);
        assertThat(inspect(MediaItem.Kind.DOCUMENT, MediaFiles.zip("ppt/presentation.xml")))
                .isEqualTo(MediaInspector.Format.PPTX);
        assertThatThrownBy(() -> inspect(MediaItem.Kind.DOCUMENT, MediaFiles.zip("photos/1.jpg")))
                .hasMessageStartingWith("payload.media[2]: the bytes are of no known type");
    }
}
