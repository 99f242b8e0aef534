package io.courier.linkedin;

/** What a post.create job asks LinkedIn to publish; commentary is plain text (the client escapes it). */
public record PostDraft(String author, String commentary, String visibility) {}
