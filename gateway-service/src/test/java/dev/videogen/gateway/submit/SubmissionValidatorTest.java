package dev.videogen.gateway.submit;

import org.junit.jupiter.api.Test;
import org.springframework.web.ErrorResponseException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubmissionValidatorTest {

    private final SubmissionValidator validator = new SubmissionValidator(new SubmitProperties(0, 0, 0, 0));

    @Test
    void acceptsARealPngWithItsTrueTypeAndParameters() throws IOException {
        var submission = validator.validate(new SubmissionValidator.Form(png(64, 48), "  waves  ", "blur", "42", "30"));
        assertThat(submission.prompt()).isEqualTo("waves");
        assertThat(submission.imageInfo().contentType()).isEqualTo("image/png");
        assertThat(submission.imageInfo().width()).isEqualTo(64);
        assertThat(submission.params().seed()).isEqualTo(42);
        assertThat(submission.params().steps()).isEqualTo(30);
        assertThat(submission.params().negativePrompt()).isEqualTo("blur");
    }

    @Test
    void rejectsWithTheMessagesTheWebUiShows() throws IOException {
        byte[] png = png(8, 8);
        assertProblem(new SubmissionValidator.Form("GIF89a....".getBytes(), "p", null, null, null), 415,
                "The image must be a JPEG, PNG or WebP file.");
        assertProblem(new SubmissionValidator.Form(png, "", null, null, null), 400, "Write a prompt of 1 to 2000 characters.");
        assertProblem(new SubmissionValidator.Form(png, "x".repeat(2001), null, null, null), 400,
                "Write a prompt of 1 to 2000 characters.");
        assertProblem(new SubmissionValidator.Form(png, "p", null, "1.5", null), 400, "Seed must be a whole number.");
        assertProblem(new SubmissionValidator.Form(png, "p", null, null, "0"), 400, "Steps must be a whole number from 1 to 50.");
        assertProblem(new SubmissionValidator.Form(png, "p", null, null, "51"), 400, "Steps must be a whole number from 1 to 50.");
        assertProblem(new SubmissionValidator.Form(new byte[0], "p", null, null, null), 400,
                "The image must be a JPEG, PNG or WebP file.");
    }

    @Test
    void rejectsOversizedFilesAndDimensionsWithoutDecoding() throws IOException {
        byte[] big = Arrays.copyOf(png(8, 8), 10 * 1024 * 1024 + 1);
        assertProblem(new SubmissionValidator.Form(big, "p", null, null, null), 413, "The image is larger than 10 MB.");
        // a header that claims 5000 x 10 pixels is refused from the header alone
        byte[] claimsHuge = png(8, 8);
        claimsHuge[16] = 0;
        claimsHuge[17] = 0;
        claimsHuge[18] = 0x13;
        claimsHuge[19] = (byte) 0x88;
        assertThatThrownBy(() -> validator.validate(new SubmissionValidator.Form(claimsHuge, "p", null, null, null)))
                .isInstanceOf(ErrorResponseException.class)
                .satisfies(e -> assertThat(((ErrorResponseException) e).getBody().getDetail()).contains("5000 x 8"));
    }

    private void assertProblem(SubmissionValidator.Form form, int status, String detail) {
        assertThatThrownBy(() -> validator.validate(form))
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> {
                    assertThat(e.getStatusCode().value()).isEqualTo(status);
                    assertThat(e.getBody().getDetail()).isEqualTo(detail);
                });
    }

    static byte[] png(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }
}
